from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "classifieds.core"
    label = "core"

    def ready(self) -> None:
        from . import readiness
        from .observability import worker

        worker.hooks_install()

        readiness.readiness_check_register("database", readiness.check_database)
        readiness.readiness_check_register("cache", readiness.check_cache)
        readiness.readiness_check_register("queue", readiness.check_queue)
        readiness.readiness_check_register("worker", readiness.check_worker)
