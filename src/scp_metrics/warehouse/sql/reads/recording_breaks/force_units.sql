-- Force-wide monthly series (every row of the force's files, placed or not): the level the
-- force's own publications and the README quote; area_code is the police force area code.
with members as (
    select 'police_uk:' || slug as indicator_id, crime_type from ref_police_uk_crime_types
    union all
    select 'police_uk:all-crime' as indicator_id, crime_type
    from ref_police_uk_crime_types
    where in_all_crime
)

select
    members.indicator_id,
    s.force_pfa_code as area_code,
    s.month_start as month,
    count(*) as count
from stg_police_uk as s
inner join members on members.crime_type = s.crime_type
where s.force_pfa_code is not null
group by all
order by all
