# Included from src/s3/CMakeLists.txt.
confiance_library(confiance_s3
  SOURCES s3_error.cc acl_error.cc router.cc range.cc copy_source.cc auth.cc sts_request.cc payload_reader.cc checksum_request.cc object_attributes.cc bucket_name.cc object_headers.cc conditional.cc
          quota.cc authorize.cc access_control_handlers.cc tagging.cc cors.cc extra_headers_writer.cc audited_response_writer.cc request_audit.cc
          s3_service.cc bucket_handlers.cc object_handlers.cc list_handlers.cc list_params.cc multipart_handlers.cc copy_handlers.cc
          tagging_handlers.cc cors_handlers.cc object_attributes_handlers.cc form_data.cc post_policy.cc
          post_object_handlers.cc sse.cc sse_kms.cc kms_context.cc encryption_handlers.cc versioning_handlers.cc log_api_handler.cc
          residency_placement.cc segment_pipeline.cc request_metrics.cc rate_limiter.cc rate_admission.cc notification_config.cc
  DEPS confiance_residency confiance_audit confiance_sigv4 confiance_s3xml confiance_http confiance_iam confiance_catalog confiance_crypto
       confiance_common fmt::fmt nlohmann_json::nlohmann_json)
confiance_test(s3_test SOURCES acl_error_test.cc checksum_request_test.cc object_attributes_test.cc range_test.cc
                        copy_source_test.cc router_test.cc bucket_name_test.cc conditional_test.cc
                        form_data_test.cc post_policy_test.cc sse_test.cc rate_limiter_test.cc
                        notification_config_test.cc sts_request_test.cc s3_error_test.cc DEPS confiance_s3)
confiance_test(s3_authorize_test SOURCES authorize_test.cc authorize_policy_test.cc DEPS confiance_s3 confiance_kms confiance_meta)
confiance_test(s3_lifecycle_test SOURCES lifecycle_config_test.cc lifecycle_test.cc lifecycle_worker_test.cc
  DEPS confiance_s3 confiance_meta confiance_blob)
confiance_test(s3_writer_test SOURCES extra_headers_writer_test.cc audited_response_writer_test.cc request_metrics_test.cc DEPS confiance_s3)
# Bucket lifecycle: configuration, rule evaluation, handlers, worker.
target_sources(confiance_s3 PRIVATE lifecycle_config.cc lifecycle.cc lifecycle_handlers.cc lifecycle_worker.cc lifecycle_outcomes.cc)
# Event notifications (docs/notifications.md).
target_sources(confiance_s3 PRIVATE notification_handlers.cc)
# Bucket replication (docs/replication.md): configuration and handlers.
target_sources(confiance_s3 PRIVATE tenant_target_arn.cc replication_config.cc replication_handlers.cc)
confiance_test(s3_replication_config_test SOURCES replication_config_test.cc DEPS confiance_s3)
# Server access logging to a bucket (docs/bucket-logging.md).
target_sources(confiance_s3 PRIVATE bucket_logging.cc logging_handlers.cc)
confiance_test(s3_bucket_logging_test SOURCES bucket_logging_test.cc DEPS confiance_s3)
# Static website hosting (docs/website.md).
target_sources(confiance_s3 PRIVATE website.cc website_handlers.cc)
confiance_test(s3_website_test SOURCES website_test.cc DEPS confiance_s3)
# S3 Inventory (docs/inventory.md): configurations and report pieces; the
# reports are written by main/inventory_delivery.h.
target_sources(confiance_s3 PRIVATE inventory.cc inventory_handlers.cc)
confiance_test(s3_inventory_test SOURCES inventory_test.cc DEPS confiance_s3)
# Requester Pays, acceleration: never set here.
target_sources(confiance_s3 PRIVATE unset_settings_handlers.cc)
# Object Lock (docs/object-lock.md).
target_sources(confiance_s3 PRIVATE object_lock_handlers.cc)
# Operator access through the lockbox (sovereignty/lockbox.h).
target_sources(confiance_s3 PRIVATE operator_access.cc)
target_link_libraries(confiance_s3 PUBLIC confiance_sovereignty)
confiance_test(s3_operator_access_test SOURCES operator_access_test.cc DEPS confiance_s3)
# The request-body pipeline (socket reads overlap the pool's writes).
confiance_test(s3_segment_pipeline_test SOURCES segment_pipeline_test.cc DEPS confiance_s3 confiance_blob)
# Temporary credentials: the STS query API (docs/sts.md).
target_sources(confiance_s3 PRIVATE sts_handlers.cc)
