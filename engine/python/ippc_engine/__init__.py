"""Python side of ippc-engine, the IPython Parallel engine of ippc written in C.

The C program owns the sockets, threads and signals; it imports this package into its
embedded interpreter and calls :class:`ippc_engine.kernel.Kernel` for every shell
request. Importing the package is cheap on purpose: IPython, ipyparallel and numpy are
only imported when a request needs them.
"""

__all__ = ["kernel"]
