from buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor
TEXT_FIELD_NUMBER: _ClassVar[int]
text: _descriptor.FieldDescriptor
LINE_FIELD_NUMBER: _ClassVar[int]
line: _descriptor.FieldDescriptor
ID_FIELD_NUMBER: _ClassVar[int]
id: _descriptor.FieldDescriptor
SITE_FIELD_NUMBER: _ClassVar[int]
site: _descriptor.FieldDescriptor
KEY_FIELD_NUMBER: _ClassVar[int]
key: _descriptor.FieldDescriptor
FILLED_FIELD_NUMBER: _ClassVar[int]
filled: _descriptor.FieldDescriptor
PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
page_token: _descriptor.FieldDescriptor
SANE_FIELD_NUMBER: _ClassVar[int]
sane: _descriptor.FieldDescriptor
PAST_DAYS_FIELD_NUMBER: _ClassVar[int]
past_days: _descriptor.FieldDescriptor
FUTURE_DAYS_FIELD_NUMBER: _ClassVar[int]
future_days: _descriptor.FieldDescriptor
