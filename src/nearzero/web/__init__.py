"""The web dashboard: FastAPI, server-rendered Jinja2 pages in Chinese (English available)."""
