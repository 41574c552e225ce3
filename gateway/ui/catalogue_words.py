"""What the catalogue pages call the master's enums: one lower-case word each (a state's word is
also the CSS class it is coloured by), beside `gateway.ui.words`."""

from __future__ import annotations

from jobfleet.v1 import common_pb2, crontab_pb2

CRONTAB_STATUS = {
    value: name.removeprefix("CRONTAB_STATUS_").lower()
    for name, value in crontab_pb2.CrontabStatus.items()
}
FIRE_OUTCOME = {
    value: name.removeprefix("CRONTAB_FIRE_OUTCOME_").lower().replace("_", " ")
    for name, value in crontab_pb2.CrontabFireOutcome.items()
}
SELECTOR_TYPE = {
    value: name.removeprefix("NODE_SELECTOR_TYPE_").lower()
    for name, value in common_pb2.NodeSelectorType.items()
}
SCRIPT_TYPE = {
    value: name.removeprefix("SCRIPT_TYPE_").lower()
    for name, value in common_pb2.ScriptType.items()
}
