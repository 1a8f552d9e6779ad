-- Every key of int_indicator_counts with its signature: a hash of what its mart row depends on
-- besides the salt (area names, indicators, code): its own row of counts (every column, so a
-- column added later is covered too) and that of the same period a year earlier. next_start
-- and next_end: the same period a year later (macros.sql). Keys only: the counts stay in
-- int_indicator_counts (memory).
create or replace temp table _iv_inputs as
with counts as (
    select
        indicator_id,
        area_code,
        period_type,
        period_start,
        period_end,
        hash(counted) as row_hash,
        year_later_start(period_start) as next_start,
        year_later_end(period_end) as next_end
    from int_indicator_counts as counted
)

select
    current.* exclude (row_hash),
    hash(current.row_hash, earlier.row_hash) as signature
from counts as current
left join counts as earlier
    on earlier.indicator_id = current.indicator_id
    and earlier.area_code = current.area_code
    and earlier.period_type = current.period_type
    and earlier.next_start = current.period_start
    and earlier.next_end = current.period_end
