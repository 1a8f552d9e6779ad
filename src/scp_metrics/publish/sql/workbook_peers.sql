-- Workbook sheet "indicators_all_areas": financial-year, rolling 12-month and survey values of
-- the partnership and its Most Similar Group (the group whose id is the partnership's code).
with indicator_values as (
    select * from mart_indicator_values
),

group_members as (
    select area_code from stg_msg_membership
    where upper(trim(group_id)) = $home
),

peers as (
    select * from indicator_values
    where period_type in ('financial_year', 'rolling_12m', 'survey')
      and (area_code = $home or area_code in (select area_code from group_members))
)

select * from peers
order by all
