"""Customer routes to subscribe to schedule changes of a building or a queue, and to unsubscribe."""

from typing import Any

from litestar import Controller, Request, delete, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.deps import region_settings
from core.notifications import service
from core.notifications.channels import NotificationSettings
from core.notifications.schemas import SubscriptionCreate, SubscriptionCreated
from core.plugins import PluginRegistry
from core.settings import Settings

# A subscription body is a few short fields; 8 KiB leaves room for a 2000-character URL.
MAX_BODY_BYTES = 8192


def provide_notification_settings() -> NotificationSettings:
    return NotificationSettings.from_env()


class SubscriptionController(Controller):
    path = "/api/v1/regions/{region:str}/subscriptions"
    tags = ["notifications"]
    dependencies = {
        "notification_settings": Provide(provide_notification_settings, sync_to_thread=False)
    }

    # TODO: rate-limit subscription creation per client; the write path has no limit yet.
    @post(
        "/",
        operation_id="createSubscription",
        summary="Subscribe a webhook or an e-mail address to schedule changes",
        status_code=201,
        request_max_body_size=MAX_BODY_BYTES,
    )
    async def create(
        self,
        region: str,
        data: SubscriptionCreate,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        notification_settings: NotificationSettings,
    ) -> SubscriptionCreated:
        config = region_settings(settings, registry, region)
        index = request.app.state.indexes.address.region(region)
        async with session.begin():
            return await service.create_subscription(
                session, config, index, data, notification_settings
            )

    @delete(
        "/{subscription_id:int}",
        operation_id="deleteSubscription",
        summary="Unsubscribe with the token returned at creation",
        status_code=204,
    )
    async def remove(
        self,
        region: str,
        subscription_id: int,
        session: AsyncSession,
        settings: Settings,
        registry: PluginRegistry,
        token: str = Parameter(min_length=1, max_length=200, description="Unsubscribe token."),
    ) -> None:
        region_settings(settings, registry, region)
        async with session.begin():
            await service.delete_subscription(session, region, subscription_id, token)
