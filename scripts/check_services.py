"""Fail fast, with a clear message, when DATABASE_URL or REDIS_URL cannot be reached."""

from __future__ import annotations

import os
import sys

import dj_database_url
import psycopg
import redis


def main() -> int:
    problems = []
    db_url = os.environ.get("DATABASE_URL", "")
    if db_url.startswith("postgres"):
        cfg = dj_database_url.parse(db_url)
        try:
            psycopg.connect(
                host=cfg["HOST"] or "127.0.0.1",
                port=cfg["PORT"] or 5432,
                user=cfg["USER"],
                dbname=cfg["NAME"],
                password=cfg["PASSWORD"] or None,
                connect_timeout=5,
            ).close()
        except psycopg.Error as exc:
            problems.append(f"DATABASE_URL {db_url}: {exc}")
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"REDIS_URL {redis_url}: {exc}")
    for problem in problems:
        print(f"cannot reach {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
