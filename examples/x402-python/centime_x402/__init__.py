"""Centime for the official x402 Python SDK: a client scheme that pays through the Centime
wallet, and a server scheme with an in-process verifier for the SDK's FastAPI middleware."""

NETWORK_DEMO = "centime:demo"
