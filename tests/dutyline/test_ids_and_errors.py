"""Identifiers and the mapping of domain errors to gRPC statuses."""

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2, status_pb2

from dutyline.grpckit.errors import FieldViolation, InvalidArgument, NotFound
from dutyline.ids import new_id, ulid


def test_ulids_sort_by_time_and_do_not_collide() -> None:
    assert ulid(1_000) < ulid(2_000)
    assert len(ulid()) == 26
    assert len({new_id("call") for _ in range(10_000)}) == 10_000


def test_invalid_argument_carries_bad_request_field_violations() -> None:
    error = InvalidArgument([FieldViolation("summary", "required"), FieldViolation("site_id", "unknown")])
    status = error.to_status()
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT
    detail = dict(status.trailing_metadata)["grpc-status-details-bin"]
    rich = status_pb2.Status.FromString(detail)
    bad_request = error_details_pb2.BadRequest()
    assert rich.details[0].Unpack(bad_request)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [
        ("summary", "required"),
        ("site_id", "unknown"),
    ]


def test_other_errors_map_to_their_codes() -> None:
    assert NotFound("no such call").to_status().code == grpc.StatusCode.NOT_FOUND
