-- Workbook sheet "indicators_all_areas": financial-year, rolling 12-month and survey values of
-- the partnership and its peer group (mart_peer_group: the delivered Most Similar Group, else
-- the proxy group (open data)).
with indicator_values as (
    select * from mart_indicator_values
),

group_members as (
    select area_code from mart_peer_group
    where upper(trim(group_id)) = $home
),

peers as (
    select * from indicator_values
    where period_type in ('financial_year', 'rolling_12m', 'survey')
      and (area_code = $home or area_code in (select area_code from group_members))
)

select * from peers
order by all
