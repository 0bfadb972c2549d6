package io.portcullis.operator.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The ProxyRoute custom resource (portcullis.io/v1alpha1): Portcullis's rich routing API. */
@Group("portcullis.io")
@Version("v1alpha1")
@Kind("ProxyRoute")
@Plural("proxyroutes")
@ShortNames("pxr")
public class ProxyRoute extends CustomResource<ProxyRouteSpec, ProxyRouteStatus>
    implements Namespaced {}
