"""Demo data: realistic prefectures, sites, services and one account per role.

Each app extends the demo through ``qualipref.demo.registry``: ``load_demo`` calls the
loaders in order. Every loader is idempotent (running it twice changes nothing).
"""
