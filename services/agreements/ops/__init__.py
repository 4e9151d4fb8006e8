"""The operator console's use cases (bảng điều khiển vận hành), one module per concept: who may
use it (`access`), its audit log (`audit`), dead letters, workflows that stopped, replays of
the outbox by time range and consumer lag. The API (/v1/ops), the pages (/ui/ops) and the
command line (`python -m services.agreements ops ...`) call these same functions."""
