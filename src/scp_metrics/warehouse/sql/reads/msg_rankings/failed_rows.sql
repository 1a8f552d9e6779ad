-- How many rows of the stored mart say an indicator's ranking failed (they have no period to
-- be reused by: a build after one ranks every period again).
select count(*) from mart_msg_rankings where series_status = $failed
