"""Adapters that let other frameworks call nianbao's entry points (each imports its framework only
when used)."""
