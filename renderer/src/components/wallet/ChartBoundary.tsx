import { Component } from 'react'

/**
 * Keeps a chart failure local: if the lazily loaded chart cannot load or draw, the figures
 * table beside it stays usable and the rest of the page keeps working.
 */
export class ChartBoundary extends Component<
  { fallback: React.ReactNode; children: React.ReactNode },
  { failed: boolean }
> {
  override state = { failed: false }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  override render(): React.ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children
  }
}
