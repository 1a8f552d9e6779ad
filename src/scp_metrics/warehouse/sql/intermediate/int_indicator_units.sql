-- Every indicator's numerator (and, for percentages, denominator) per unit of time.
select * from int_units_offence_codes
union all
select * from int_units_events
union all
select * from int_units_police_uk
