-- Every key of int_indicator_counts with its signature: a hash of what its mart row depends on
-- besides the salt (area names, indicators, code): its own row of counts (every column, so a
-- column added later is covered too) and that of the same period a year earlier. next_start
-- and next_end: the same period a year later (scp_metrics.periods.a_year_later: the start a
-- year on, the end the day before the day after it a year on; DuckDB clamps 29 February as
-- pandas does). Keys only: the counts stay in int_indicator_counts (memory).
create or replace temp table _iv_inputs as
with counts as (
    select
        indicator_id,
        area_code,
        period_type,
        period_start,
        period_end,
        hash(counted) as row_hash,
        (period_start + interval 1 year)::date as next_start,
        (period_end + interval 1 day + interval 1 year - interval 1 day)::date as next_end
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
