-- The signatures the next build compares with (writes/indicator_values/todo).
create or replace table _indicator_value_signatures as
select indicator_id, area_code, period_type, period_start, period_end, signature
from _iv_inputs
