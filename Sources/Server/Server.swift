// The HTTP/1.1 server, origin client, rules, cache, coalescing and metrics land here.
import Pipeline
