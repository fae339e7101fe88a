import Foundation
import Storage

/// A manual upgrade's steps: Walk Upgrade Domain moves the next domain; after the last, the
/// upgrade is stored. Rollback Update Or Upgrade returns the domains already moved to the
/// package and configuration still stored. A manual upgrade lives in memory: a server restart
/// abandons it, and every instance runs the stored deployment again.
extension DeploymentRuntime {
    /// Moves upgrade domain `domain`, which must be the next one.
    public func walkUpgradeDomain(_ domain: Int, of deployment: Deployment) async throws {
        try await inTurn(of: deployment.service) {
            let deployment = try await current(deployment)
            guard var upgrade = manualUpgrades[deployment.privateID] else {
                throw DeploymentError.noSuchUpgradeStep(
                    "No manual upgrade of deployment \(deployment.name) is in progress; start one with Upgrade Deployment, Mode Manual.")
            }
            guard domain == upgrade.nextDomain else {
                let range =
                    domain >= upgrade.before.upgradeDomainCount ? " (the deployment has \(upgrade.before.upgradeDomainCount) upgrade domains, from 0)" : ""
                throw DeploymentError.noSuchUpgradeStep("The next upgrade domain to walk is \(upgrade.nextDomain), not \(domain)\(range).")
            }
            upgrades[deployment.privateID] = UpgradeProgress(mode: .manual, domain: domain, during: true)
            do {
                try await upgradeDomain(domain, of: upgrade.changed, to: upgrade.plan)
            } catch {
                upgrades[deployment.privateID] = UpgradeProgress(mode: .manual, domain: domain, during: false)
                throw error
            }
            upgrade.nextDomain += 1
            guard upgrade.nextDomain >= upgrade.before.upgradeDomainCount else {
                manualUpgrades[deployment.privateID] = upgrade
                upgrades[deployment.privateID] = UpgradeProgress(mode: .manual, domain: upgrade.nextDomain, during: false)
                return
            }
            try await reconcile(upgrade.changed, to: upgrade.plan)
            try await store.updateDeployment(upgrade.changed)
            manualUpgrades[deployment.privateID] = nil
            upgrades[deployment.privateID] = nil
        }
    }

    /// Rolls a manual upgrade back: every instance runs the stored package and configuration again.
    public func rollBackUpgrade(of deployment: Deployment) async throws {
        try await inTurn(of: deployment.service) {
            let deployment = try await current(deployment)
            guard let upgrade = manualUpgrades[deployment.privateID] else {
                throw DeploymentError.noSuchUpgradeStep("No upgrade of deployment \(deployment.name) is in progress to roll back.")
            }
            try await reconcile(deployment, to: upgrade.before)
            manualUpgrades[deployment.privateID] = nil
            upgrades[deployment.privateID] = nil
            try? FileManager.default.removeItem(atPath: upgrade.rolesFolder)
        }
    }
}
