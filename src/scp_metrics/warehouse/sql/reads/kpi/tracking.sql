-- The home area's target tracking rows (mart_target_tracking), in target order: every KPI's
-- target and RAG (partner-return KPIs' judged there too, targets/kpi_status.partner_tracking).
select target_id, indicator_id, rag, target_value, milestone_value, trajectory_value,
       actual_value, worse_pct, target_period, assessed_period, note
from mart_target_tracking
where area_code = (select area_code from ref_home_area) or area_code is null
order by target_id
