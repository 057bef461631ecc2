# Sourced: a private nginx for tests and benchmarks (pid, logs and temp files under its own directory).
# nginx_config DIR WORKERS BODY — writes DIR/nginx.conf with BODY inside its http block.
nginx_config() {
  local dir="$1" workers="$2" body="$3" user=""
  mkdir -p "$dir/tmp"
  # As root, nginx workers would switch to an unprivileged user that cannot enter the private temp dir.
  [ "$(id -u)" = 0 ] && user="user root;"
  cat >"$dir/nginx.conf" <<CONF
$user
worker_processes $workers;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp;
  proxy_temp_path $dir/tmp;
$body
}
CONF
}
