-- The keys whose signature is not the one stored by the previous build (new or changed rows,
-- or rows whose same period last year changed).
create or replace temp table _iv_todo as
select indicator_id, area_code, period_type, period_start, period_end
from _iv_inputs
anti join _indicator_value_signatures
    using (indicator_id, area_code, period_type, period_start, period_end, signature)
