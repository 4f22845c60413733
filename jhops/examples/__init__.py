"""Runnable training functions for jhops's examples; each imports its ML framework only when called."""
