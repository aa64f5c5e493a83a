# File: bench/lib_nginx.sh
# nginx as the benchmarks' reference server, set up the same way by every
# script that runs it (run_server_bench.sh, tls_overhead.sh). Source it;
# it defines:
#   - nginx_write_4k_files S3LOAD DIR: DIR/f0..f999, each exactly the 4 KiB
#     that s3load PUTs to Confiance and checks with --verify;
#   - nginx_write_conf CONF WORKDIR SERVER: CONF, one worker in the
#     foreground with the settings every run shares (sendfile, tcp_nopush,
#     keep-alive without a request limit, no access log, temporary files
#     under WORKDIR/nginx), and SERVER (the caller's server block and any
#     http-level lines) inside its http block.
# The caller starts it: taskset -c 0 nginx -c CONF.

nginx_write_4k_files() {
  local s3load=$1 dir=$2
  mkdir -p "$dir"
  "$s3load" --size 4096 --write-payload "$dir/f0"
  for i in $(seq 1 999); do cp "$dir/f0" "$dir/f$i"; done
}

nginx_write_conf() {
  local conf=$1 work=$2 server=$3
  mkdir -p "$work/nginx"
  cat >"$conf" <<NGX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  default_type application/octet-stream;
$server
}
NGX
}
