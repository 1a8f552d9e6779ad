-- Whether each row of _iv_inputs is one row of int_indicator_counts with its whole key
-- (no null key, no two rows of a key, no row matched twice a year earlier): rows can then be
-- reused by key. Otherwise the mart is computed whole.
select
    (select count(*) from int_indicator_counts) = count(*)
    and count(*) = count(distinct (indicator_id, area_code, period_type, period_start, period_end))
    and count(*) filter (
        where indicator_id is null or area_code is null or period_type is null
        or period_start is null or period_end is null
    ) = 0
from _iv_inputs
