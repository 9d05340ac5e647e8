"""The backend for Django tasks (django-tasks), which Wagtail's search index uses.

`OnCommitImmediateBackend` runs a task in the web process, like django-tasks' ImmediateBackend,
but only once the current transaction has committed (at once outside a transaction). Wagtail
updates the search index from `post_save` as a task; inside `document_save`'s transaction its
upsert plus its table-wide UPDATE of title norms locked index rows of other documents, and
concurrent saves deadlocked on PostgreSQL (tests/reliability/test_concurrent_editors.py). After
commit the index follows what was saved, and a failure there never undoes a save.
"""

from django.db import transaction
from django_tasks.backends.immediate import ImmediateBackend


class OnCommitImmediateBackend(ImmediateBackend):
    def _execute_task(self, task_result) -> None:
        run = super()._execute_task
        transaction.on_commit(lambda: run(task_result), robust=True)
