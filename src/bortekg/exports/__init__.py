"""Exports in the exchange formats of the field: Biolink-model KGX graphs (``kgx``) and SSSOM
mapping sets (``sssom``). The libraries they need (``bmt``, ``biolink-model``, ``sssom``)
come with the ``export`` extra and are imported only when an export runs."""
