"""Platform adapters: each translates its platform's payloads to and from the core's
Invocation and Reply, and nothing more."""
