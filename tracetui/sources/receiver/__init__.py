"""The live OTLP receiver: everything `tracetui --listen` and `tracetui record` run on.

    config.py    addresses, token, limits (no aiohttp import: the CLI reads it at start-up)
    ingest.py    decoding off the loop, the counts, the sink protocol (shared by both transports)
    http.py      OTLP/HTTP on aiohttp            grpc.py      OTLP/gRPC (extra `tracetui[grpc]`)
    guard.py     header/idle timeouts and the connection cap of the HTTP receiver
    body.py      reading a body: decompression, size limit, the shared memory budget
    checks.py    JSON bodies checked at the door (one object, times within 64 bits, empty exports)
    servers.py   starting/stopping the receivers of one config on the running loop
    feed.py      the live sink into a TraceStore, and the quiet-time collector policy
    capture.py   capture lines (one OTLP JSON request per line)    record.py  `tracetui record`

Importing this package imports nothing else (keep it so: `tracetui --help` must stay quick).
"""
