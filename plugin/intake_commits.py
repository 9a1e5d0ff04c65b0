"""How one batch of deliveries is claimed and queued, all or nothing (see `plugin.intake`).

- Redis (REDIS_URL): one Lua script claims each delivery with `SET NX EX` and pushes the new
  jobs onto huey's list, in one round trip, atomically; the SQL store is not touched.
- When huey's SQLite queue lives in the store's SQLite file (the embedded default), the
  claims and the jobs are one transaction on the writer thread's own `sqlite3` connection
  (`plugin.intake_sqlite`).
- Otherwise the claims go to the store in one transaction, and the jobs into the queue inside
  that transaction, so a queue failure rolls the claims back (should the store's
  commit fail after the queue's, the jobs stay queued and the redelivery queues its run again:
  the run key is the same, so the pipeline's saved steps and run lock keep it to one run).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from huey.storage import RedisStorage, SqliteStorage

from plugin.intake import Delivery, answers, unique_jobs
from plugin.intake_sqlite import INSERT_TASK, SqliteCommit

CLAIM_PREFIX = "payverify.delivery."
CLAIM_TTL_SECONDS = 30 * 24 * 3600  # Zendesk retries for hours; a month covers manual resends

# KEYS[1]: huey's queue list; KEYS[2..]: the claim keys; ARGV[1]: their TTL; ARGV[2..]: jobs.
# A script runs atomically but does not roll back on an error, so a failed write undoes the
# claims made so far itself: https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
CLAIM_AND_QUEUE = """
local fresh, jobs, answer = {}, {}, {}
for i = 2, #KEYS do
  local set = redis.pcall('SET', KEYS[i], '1', 'NX', 'EX', ARGV[1])
  if type(set) == 'table' and set.err then
    if #fresh > 0 then redis.call('DEL', unpack(fresh)) end
    return set
  end
  if set then
    fresh[#fresh + 1] = KEYS[i]
    jobs[#jobs + 1] = ARGV[i]
    answer[i - 1] = 1
  else
    answer[i - 1] = 0
  end
end
if #jobs > 0 then
  local pushed = redis.pcall('LPUSH', KEYS[1], unpack(jobs))
  if type(pushed) == 'table' and pushed.err then
    redis.call('DEL', unpack(fresh))
    return pushed
  end
end
return answer
"""


class RedisCommit:
    """Claim with SET NX and queue with LPUSH in one atomic script (huey's RedisStorage)."""

    def __init__(self, storage: Any) -> None:
        self.queue_key = storage.queue_key
        self.script = storage.conn.register_script(CLAIM_AND_QUEUE)

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        """One round trip for the whole batch; True per delivery claimed now."""
        keys = [self.queue_key, *(CLAIM_PREFIX + item.key for item in items)]
        answer = self.script(keys=keys, args=[CLAIM_TTL_SECONDS, *(i.job for i in items)])
        return [bool(flag) for flag in answer]


class StoreCommit:
    """Claims in the store's transaction (PostgreSQL, or another SQLite file than the queue's),
    the jobs written to the queue inside it."""

    def __init__(self, store: Any, storage: Any) -> None:
        self.store, self.storage = store, storage

    def __call__(self, items: Sequence[Delivery]) -> list[bool]:
        """One store transaction for the whole batch; True per delivery claimed now."""
        jobs = unique_jobs(items)

        def queue(connection: Any, claimed: list[str]) -> None:
            if not claimed:
                return
            rows = [(self.storage.name, jobs[key]) for key in claimed]
            if isinstance(self.storage, SqliteStorage):
                with self.storage.db(commit=True) as cursor:
                    cursor.executemany(INSERT_TASK, rows)
            else:
                for _, job in rows:
                    self.storage.enqueue(job)

        claimed = set(self.store.claim_deliveries(list(jobs), then=queue))
        return answers(items, claimed)


def shares_file(store: Any, storage: Any) -> bool:
    """True when huey's SQLite queue is the store's own SQLite file."""
    engine = getattr(store, "engine", None)
    if not isinstance(storage, SqliteStorage) or engine is None:
        return False
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return False
    try:
        return os.path.samefile(storage.filename, engine.url.database)
    except OSError:
        return False


def commit_for(store: Any, storage: Any) -> Any:
    """The batch commit for this store and queue."""
    if isinstance(storage, RedisStorage):
        return RedisCommit(storage)
    if shares_file(store, storage):
        return SqliteCommit(storage)
    return StoreCommit(store, storage)
