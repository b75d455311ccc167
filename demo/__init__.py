"""Demo data for `make run`: the ``load_demo`` command runs every app's loader, in the layers' order.

The only package allowed to import every app: each app keeps its own loader in its ``demo.py``
(the core's prefectures and accounts in ``qualipref.demo``), and ``registry.LOADERS`` lists them.
Every loader is idempotent (running it twice changes nothing).
"""
