"""Attribute keys the OpenTelemetry semantic conventions have renamed: old key -> current key.

From the conventions' registries of deprecated attributes (open-telemetry/semantic-conventions,
`model/*/deprecated/registry-deprecated.yaml`: http, database, network, messaging, rpc, code),
the entries deprecated as renamed or "replaced by" one attribute. Keys split in two or removed
without a replacement (`http.target`, `http.flavor`, `db.user`, `net.sock.family`, …) are left
out: there is no one current name to point to. Keys whose replacement depends on the span kind
(`net.peer.name`: `server.address` on a client span, `client.address` on a server span) name both.
"""

from __future__ import annotations

RENAMED: dict[str, str] = {
    # HTTP (model/http/deprecated)
    "http.method": "http.request.method",
    "http.status_code": "http.response.status_code",
    "http.scheme": "url.scheme",
    "http.url": "url.full",
    "http.client_ip": "client.address",
    "http.server_name": "server.address",
    "http.user_agent": "user_agent.original",
    "http.request_content_length": "http.request.header.content-length",
    "http.response_content_length": "http.response.header.content-length",
    "http.request_content_length_uncompressed": "http.request.body.size",
    "http.response_content_length_uncompressed": "http.response.body.size",
    # Database (model/database/deprecated)
    "db.statement": "db.query.text",
    "db.operation": "db.operation.name",
    "db.name": "db.namespace",
    "db.system": "db.system.name",
    "db.redis.database_index": "db.namespace",
    "db.elasticsearch.cluster.name": "db.namespace",
    "db.sql.table": "db.collection.name",
    "db.cassandra.table": "db.collection.name",
    "db.mongodb.collection": "db.collection.name",
    "db.cosmosdb.container": "db.collection.name",
    "db.cosmosdb.status_code": "db.response.status_code",
    "db.query.parameter": "db.operation.parameter",
    "db.connection_string": "server.address and server.port",
    # Network (model/network/deprecated)
    "net.peer.name": "server.address (client spans) or client.address (server spans)",
    "net.peer.port": "server.port (client spans) or client.port (server spans)",
    "net.peer.ip": "network.peer.address",
    "net.host.name": "server.address",
    "net.host.port": "server.port",
    "net.host.ip": "network.local.address",
    "net.sock.peer.addr": "network.peer.address",
    "net.sock.peer.port": "network.peer.port",
    "net.sock.host.addr": "network.local.address",
    "net.sock.host.port": "network.local.port",
    "net.transport": "network.transport",
    "net.protocol.name": "network.protocol.name",
    "net.protocol.version": "network.protocol.version",
    # Messaging (model/messaging/deprecated)
    "messaging.operation": "messaging.operation.type",
    "messaging.client_id": "messaging.client.id",
    "messaging.kafka.consumer.group": "messaging.consumer.group.name",
    "messaging.kafka.destination.partition": "messaging.destination.partition.id",
    "messaging.kafka.message.offset": "messaging.kafka.offset",
    "messaging.eventhubs.consumer.group": "messaging.consumer.group.name",
    "messaging.rocketmq.client_group": "messaging.consumer.group.name",
    "messaging.servicebus.destination.subscription_name": "messaging.destination.subscription.name",
    # RPC (model/rpc/deprecated)
    "rpc.system": "rpc.system.name",
    "message.type": "rpc.message.type",
    "message.id": "rpc.message.id",
    "message.compressed_size": "rpc.message.compressed_size",
    "message.uncompressed_size": "rpc.message.uncompressed_size",
    "rpc.grpc.request.metadata": "rpc.request.metadata",
    "rpc.grpc.response.metadata": "rpc.response.metadata",
    # Code (model/code/registry-deprecated)
    "code.filepath": "code.file.path",
    "code.lineno": "code.line.number",
    "code.column": "code.column.number",
    "code.function": "code.function.name",
}
