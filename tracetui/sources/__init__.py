"""Sources own I/O: files, stdin, backends, the receiver. Each yields batches of spans."""
