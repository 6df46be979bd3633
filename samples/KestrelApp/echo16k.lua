-- wrk script: POST /echo with a 16 KiB body (the same body on every request).
wrk.method = "POST"
wrk.path = "/echo"
wrk.body = string.rep("0123456789abcdef", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
