-- An indicator's measure, multiplier and unit.
select measure, multiplier, unit from ref_indicators where indicator_id = $indicator_id
