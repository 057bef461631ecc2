#!/usr/bin/env bash
# Placeholder until the decoders land: replaced by the conformance runner.
echo "conformance: no decoders yet"
