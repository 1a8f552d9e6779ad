-- Every series a per-series mart could not compute (series_status 'failed'), with why: the
-- build went on without it (src/scp_metrics/stats/series_status.py).
with spc as (
    select
        'mart_spc' as mart, indicator_id, area_code, indicator_id || ' in ' || area_code as subject,
        min(period_start) as period_start, last_day(max(period_start)) as period_end,
        min(note) as note
    from mart_spc
    where series_status = 'failed'
    group by indicator_id, area_code
),

trends as (
    select
        'mart_trends' as mart, indicator_id, area_code, indicator_id || ' in ' || area_code,
        window_start, window_end, note
    from mart_trends
    where series_status = 'failed'
),

rankings as (
    select distinct
        'mart_msg_rankings' as mart, indicator_id, area_code,
        indicator_id || ' in the group of ' || group_id, null::date, null::date, note
    from mart_msg_rankings
    where series_status = 'failed'
),

tracking as (
    select
        'mart_target_tracking' as mart, indicator_id, area_code, 'target ' || target_id,
        null::date, as_of, note
    from mart_target_tracking
    where series_status = 'failed'
),

trajectory as (
    select
        'mart_target_trajectory' as mart, indicator_id, area_code, 'target ' || target_id,
        null::date, max(period_end), min(note)
    from mart_target_trajectory
    where series_status = 'failed'
    group by target_id, indicator_id, area_code
),

failed as (
    select * from spc
    union all select * from trends
    union all select * from rankings
    union all select * from tracking
    union all select * from trajectory
)

select * from failed
order by mart, subject, indicator_id, area_code
