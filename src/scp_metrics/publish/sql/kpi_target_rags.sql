-- The partner KPIs' targets judged in mart_kpi_status (the verdict table's rows for targets that
-- mart_target_tracking cannot judge: no partner figures reach it), one row per target.
select target_id, rag, target_value, expected_value, actual_judged, judged_period, period_end,
       unit
from mart_kpi_status
where delivered_by = 'partner_return' and target_id is not null and rag is not null
order by target_id
