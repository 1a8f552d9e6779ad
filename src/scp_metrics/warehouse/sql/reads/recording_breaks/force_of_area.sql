-- The police force area of each local authority (config/police_force_areas.csv).
select area_code, pfa_code from ref_police_force_areas order by area_code
