-- Every loaded action status row (raw_action_status), in a stable order.
select action_id, period_start, status, rag, status_date, note
from raw_action_status
order by action_id, period_start, source_row
