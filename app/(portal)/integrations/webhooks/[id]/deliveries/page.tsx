// The list itself is the layout; without a delivery in the URL no panel is open.
export default function DeliveriesPage() {
  return null;
}
