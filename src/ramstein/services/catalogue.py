"""The item catalogue and substitutions."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import catalogue as domain
from ramstein.domain.catalogue import ItemType, Substitution
from ramstein.domain.errors import AlreadyExists
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork


def define_item(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str,
    area: str,
    unit: str,
    unit_value_eur: Decimal,
) -> ItemType:
    require_chair(actor, "define item types")
    if common.exists(uow.conn, t.item_types, code=code):
        raise AlreadyExists("item type", code)
    common.area_exists(uow.conn, area)
    event = domain.define_item(
        code=code, name=name, area=area, unit=unit, unit_value_eur=unit_value_eur
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return common.item_type(uow.conn, code)


def revise_item(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str | None = None,
    area: str | None = None,
    unit: str | None = None,
    unit_value_eur: Decimal | None = None,
    expected_version: int | None = None,
) -> ItemType:
    require_chair(actor, "revise item types")
    current = common.item_type(uow.conn, code)
    common.check_version("item type", code, current.version, expected_version)
    if area is not None:
        common.area_exists(uow.conn, area)
    event = domain.revise_item(
        current,
        name=name if name is not None else current.name,
        area=area if area is not None else current.area,
        unit=unit if unit is not None else current.unit,
        unit_value_eur=unit_value_eur if unit_value_eur is not None else current.unit_value_eur,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return common.item_type(uow.conn, code)


def set_substitution(
    *,
    uow: UnitOfWork,
    actor: Principal,
    offer_type: str,
    need_type: str,
    ratio: Decimal | None,
) -> Substitution | None:
    """Define or change (ratio) or remove (None) how `offer_type` serves a need for `need_type`."""
    require_chair(actor, "define substitutions")
    offer = common.item_type(uow.conn, offer_type)
    need = common.item_type(uow.conn, need_type)
    event = domain.set_substitution(offer, need, ratio)
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return None if ratio is None else Substitution(offer_type, need_type, ratio)


_i, _s = t.item_types, t.substitutions
ITEM_ORDERS = {
    "area": Order((_i.c.area, _i.c.code), lambda x: (x.area, x.code)),
    "code": Order((_i.c.code,), lambda x: (x.code,)),
}
SUBSTITUTION_ORDERS = {
    "need_type": Order((_s.c.need_type, _s.c.offer_type), lambda x: (x.need_type, x.offer_type)),
    "offer_type": Order((_s.c.offer_type, _s.c.need_type), lambda x: (x.offer_type, x.need_type)),
}


def get_item(*, conn: Connection, viewer: Principal, code: str) -> ItemType:
    return common.item_type(conn, code)


def list_items(
    *, conn: Connection, viewer: Principal, area: str | None = None, page: PageRequest | None = None
) -> list[ItemType]:
    q = apply(sa.select(t.item_types), ITEM_ORDERS, "area", page)
    if area is not None:
        q = q.where(t.item_types.c.area == area)
    return [rows.item(r) for r in conn.execute(q)]


def list_substitutions(
    *,
    conn: Connection,
    viewer: Principal,
    item: str | None = None,
    page: PageRequest | None = None,
) -> list[Substitution]:
    s = t.substitutions
    q = apply(sa.select(s), SUBSTITUTION_ORDERS, "need_type", page)
    if item is not None:
        q = q.where(sa.or_(s.c.offer_type == item, s.c.need_type == item))
    return [rows.substitution(r) for r in conn.execute(q)]
