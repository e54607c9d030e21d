/**
 * The Strict-Transport-Security value of every cloud's HTTPS responses (aws: an ALB listener attribute;
 * gcp, azure: a ResponseHeaderModifier on the app's routes). One year, the least max-age the browsers'
 * preload list accepts (https://hstspreload.org/); no `preload`: submitting the domain to that list is
 * its owner's call.
 */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";
