/**
 * How often a webhook may be sent a test delivery: at most
 * TEST_DELIVERIES_PER_WINDOW within any TEST_DELIVERY_WINDOW_SECONDS, so a
 * script or an impatient click cannot turn the test button into a flood
 * against the receiver.
 */
export const TEST_DELIVERIES_PER_WINDOW = 10;
export const TEST_DELIVERY_WINDOW_SECONDS = 60;

/**
 * Returns how many seconds to wait before the next test delivery, or null if
 * one may go now. `recent` contains the creation times of the webhook's test
 * deliveries in the current window, oldest first.
 */
export function testDeliveryWaitSeconds(recent: readonly Date[], now: Date): number | null {
  const windowStart = now.getTime() - TEST_DELIVERY_WINDOW_SECONDS * 1000;
  const inWindow = recent.filter((time) => time.getTime() > windowStart);
  if (inWindow.length < TEST_DELIVERIES_PER_WINDOW) return null;
  // The oldest test that must leave the window before another one fits.
  const blocking = inWindow[inWindow.length - TEST_DELIVERIES_PER_WINDOW]!;
  return Math.max(1, Math.ceil((blocking.getTime() + TEST_DELIVERY_WINDOW_SECONDS * 1000 - now.getTime()) / 1000));
}
