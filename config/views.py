import logging

from django.http import JsonResponse

from common.health import check_broker, check_database

logger = logging.getLogger("member_center.health")


def healthz(request):
    """200 when the database and the broker answer, 503 naming the one that does not."""
    checks = {}
    healthy = True
    for name, check in (("database", check_database), ("broker", check_broker)):
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001  (any failure of a dependency means "unhealthy")
            logger.warning("health check failed", extra={"dependency": name, "error": str(error)})
            checks[name] = "unavailable"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
