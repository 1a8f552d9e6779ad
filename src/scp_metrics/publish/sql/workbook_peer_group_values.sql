-- Workbook sheet "Peers" for the home area's peer group (mart_peer_group: the delivered Most
-- Similar Group, else the proxy group (open data)): the members' financial-year, rolling
-- 12-month and survey values; where the data has none of those (police.uk months only), their
-- quarters.
with members as (
    select area_code from mart_peer_group
),

member_values as (
    select * from mart_indicator_values
    where area_code in (select area_code from members)
),

long_periods as (
    select * from member_values
    where period_type in ('financial_year', 'rolling_12m', 'survey')
)

select * from member_values
where period_type in ('financial_year', 'rolling_12m', 'survey')
   or (period_type = 'quarter' and not exists (select 1 from long_periods))
order by all
