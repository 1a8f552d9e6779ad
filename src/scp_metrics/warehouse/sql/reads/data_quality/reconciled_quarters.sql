-- The quarters both the home area's record-level extract and the CSP table cover.
with extract_quarters as (
    select distinct fq_start_date(recorded_date) as quarter_start
    from stg_police_crime
    where area_code in (select area_code from ref_home_area)
),

table_quarters as (
    select distinct quarter_start
    from stg_ho_csp_crime
    where area_code in (select area_code from ref_home_area)
)

select quarter_start from extract_quarters
intersect
select quarter_start from table_quarters
order by quarter_start
