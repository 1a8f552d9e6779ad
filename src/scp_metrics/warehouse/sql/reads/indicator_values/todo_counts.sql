-- The counts of the rows to compute and of their same periods a year earlier (their change on
-- last year reads them), as reads/indicator_values/counts gives them.
with wanted as (
    select indicator_id, area_code, period_type, period_start, period_end from _iv_todo
    union
    select indicator_id, area_code, period_type, period_start, period_end from _iv_inputs
    semi join (
        select
            indicator_id, area_code, period_type,
            period_start as next_start, period_end as next_end
        from _iv_todo
    ) using (indicator_id, area_code, period_type, next_start, next_end)
)

select * from int_indicator_counts
semi join wanted using (indicator_id, area_code, period_type, period_start, period_end)
