"""The scheduled deployment of the quarterly-refresh flow."""


def test_the_deployment_definition_loads_with_a_quarterly_schedule():
    from pipelines.deployment import DEPLOYMENT_NAME, QUARTERLY_CRON, build_deployment

    deployment = build_deployment()
    assert deployment.name == DEPLOYMENT_NAME
    assert deployment.schedules[0].schedule.cron == QUARTERLY_CRON == "0 6 15 1,4,7,10 *"
